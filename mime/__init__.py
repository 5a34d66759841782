"""The MIME normaliser: raw mail bytes in, a `ParsedMessage` out (texts, attachments, sender,
warnings), on the standard library's parser with bounds against hostile input. Pure: no I/O,
no database; intake stores what it returns, and the stored-submission reader
(`sources.stored`) reads stored mail through it again."""
