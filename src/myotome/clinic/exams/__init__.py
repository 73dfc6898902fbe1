"""The segmental exam on a body chart, and the IMS plan the engine builds from it."""
