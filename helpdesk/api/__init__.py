"""The JSON API v1 (bearer tokens, /api/v1), its OpenAPI document and the API token pages."""
