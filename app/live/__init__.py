"""What every request of this process reads beside the database: the watcher's snapshot of the
data version, the live tokens and the newest changes, and the audience a caller reads the change
feed as. Below every domain: auth, the shared dependencies and the dashboard all build on it."""
