import ArgumentParser
import TributaryEdgeCLI

@main
struct EdgeMain {
    static func main() async {
        EdgeProcess.bootstrap()
        await EdgeCommand.main()
    }
}
