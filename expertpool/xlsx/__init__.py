"""Excel import and export adapters above the services: the nomination template and bulk
import, the pool export and the shortfall workbook. The format-level helpers (safe writing,
bounded reading) are in expertpool/spreadsheet.py, which the services use too. No Flask here."""
