"""Importing a province (nhập dữ liệu tỉnh): its organisation tree and members from its files.

``reading`` turns an XLSX or CSV file into rows (encoding detected), ``template`` says what the
columns mean, ``checks`` finds every row's problems (the dry run), ``members``/``tree`` plan and
write the events batch by batch, ``store`` records each import and keeps the erasable personal
details, ``export`` writes the same template back. See docs/import.md.
"""
