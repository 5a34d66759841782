"""Pure rules of Newsdesk: no database, network or bot imports live here."""
