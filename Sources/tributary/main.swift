import TributaryCLI

// Temporary for the certs branch: runs the `certs` subcommands at the top level
// (e.g. `tributary init --dir fleet`) until the root command registers CertsCommand.
CertsCommand.main()
