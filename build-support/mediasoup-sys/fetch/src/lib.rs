// Empty: this package exists only to be fetched (see Cargo.toml).
