"""How a handler service runs: its broker, how it takes commands, who sent them."""
