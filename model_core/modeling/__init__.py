"""CLV-Net modules, one concern per file; ``build_clvnet`` assembles them from a config."""
