"""The Telegram transport: the durable update log (updates.py, durable.py, outcomes.py),
answering presses (answer.py), the one callback-data codec (callbacks.py) and the press
handler that routes by it (presses.py), keyboards, flood control (flood.py), reading a stored
Bot API message (messages.py), and the bot's lifecycle with its handler registrations (bot.py).

Named ``tgbot`` so it never shadows python-telegram-bot's ``telegram``. Officers' handlers
live in intake.telegram, editors' in review/; runtime.telegram puts them together.
"""
