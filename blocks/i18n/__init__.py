"""Language access: chrome-string catalogs and block-level content translations."""
