"""Operations: database migrations and verified backups."""
