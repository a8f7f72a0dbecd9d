import TributaryCLI

TributaryCommand.main()
