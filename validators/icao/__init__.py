"""ICAO Doc 9303 checks, sans-I/O: MRZ check digits and layouts, nationality and issuer codes, name transliteration.

Everything here is pure computation on strings and literal tables, so the PAXLST content rules, the
conformance kit's message builders and the screening normaliser can share one implementation
without touching files or the network (see DESIGN.md §1).
"""
