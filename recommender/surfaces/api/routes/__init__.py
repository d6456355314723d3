"""The API's routers, one module per area: recommend, catalog, predict, ops."""
