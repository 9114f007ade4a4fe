"""The knowledge base: articles officials read before (and instead of) filing a ticket."""
