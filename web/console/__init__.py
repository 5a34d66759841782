"""The web console: server-rendered pages for editors, leaders and admins (issue 21)."""
