"""Clinics, memberships with roles, the active clinic, login with throttling and idle timeout."""
