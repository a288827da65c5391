"""Pure checkout rules: no I/O. Each returns Problems; the built-in plugins call them."""
