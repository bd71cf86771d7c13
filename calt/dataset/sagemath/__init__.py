"""The SageMath backend of ``calt.dataset`` (needs SageMath; use the SymPy backend otherwise)."""
