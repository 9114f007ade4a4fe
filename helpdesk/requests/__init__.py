"""Requests with a due date: a ministry or the national agency asks provinces for something (a
list, a figure, a file) by a date; each province answers in a ticket of kind `request` in its
coordinators' queue, and the sender follows who answered on the request's tracker."""
