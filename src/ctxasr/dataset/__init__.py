"""Dev sets in the dialogue-manifest format: voices, noise, and the generator."""
