"""Signed notes leaving Scribe: the signed document as data, and its formats (text, FHIR R4, HL7 v2)."""
