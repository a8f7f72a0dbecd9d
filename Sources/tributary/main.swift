import TributaryCLI

await TributaryCommand.runMain()
