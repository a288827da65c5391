"""Our default plugins, written as ordinary plugins that a host can block or override."""
