"""The conversations context: a chatbot's users, their conversations and messages, and its knowledge base."""
