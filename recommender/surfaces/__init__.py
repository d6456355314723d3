"""The thin edges over the core: HTTP API, command line, infrastructure-as-code export."""
