"""The Myotome clinic: a Django project that imports the core (``myotome.kb``, ``myotome.exam``...), never the reverse."""
