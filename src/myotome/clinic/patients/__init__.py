"""Patients (one clinic each), episodes of care, precautions and consent to needling."""
