"""Importing a province (nhập dữ liệu tỉnh): its organisation tree and members from its files.

``reading`` turns an XLSX or CSV file into rows (encoding detected), ``template`` says what the
columns mean and ``columns`` reads typed cells; ``tree`` and ``members`` check every row (the
dry run) and plan batches of aggregates; ``service`` runs the two steps (check, then the import
of the confirmed hash); ``store`` records each import and keeps the erasable personal details;
``export`` writes the same template back; ``bulk`` reads many aggregates in one query;
``routes`` and ``policies`` are the HTTP side. See docs/import.md.
"""
