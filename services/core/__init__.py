"""What every role shares: settings, errors, logs, identity and NATS connection details."""
