"""The served versions: servables, the version policy, the manager that applies it, the poller."""
