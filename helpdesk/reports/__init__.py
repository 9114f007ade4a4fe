"""Reports: aggregates without personal data, dashboards and CSV/XLSX exports."""
