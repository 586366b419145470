# Writes OUT: a C++ table of (version, sql) built from the files in FILES,
# named <revision>_description.sql; <revision> (what comes before the first
# "_") is the id recorded in alembic_version: NNN for the reference's
# revisions, cpp-NNN for this service's own. Sorted by name, the reference's
# chain comes first.
set(body "// Generated from protocols/sql/migrations: do not edit.\n")
string(APPEND body "#include \"runtime/migrator.hpp\"\n\nnamespace st {\n\n")
string(APPEND body "const std::vector<migration>& migrations() {\n")
string(APPEND body "  static const std::vector<migration> result{\n")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  string(FIND ${name} "_" underscore)
  string(SUBSTRING ${name} 0 ${underscore} version)
  file(READ ${f} sql)
  string(APPEND body "    {\"${version}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
string(APPEND body "  };\n  return result;\n}\n\n} // namespace st\n")
file(WRITE ${OUT} "${body}")
