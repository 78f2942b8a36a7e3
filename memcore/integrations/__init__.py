"""Optional adapters of memcore to agent frameworks, each importing its framework only inside itself.

    from memcore.integrations.langgraph import MemcoreSaver     # pip install memcore[langgraph]

The layers (memcore.domain, .application, .infrastructure) never import these packages.
"""
