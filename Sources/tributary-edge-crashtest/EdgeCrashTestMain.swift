import TributaryEdgeCLI

@main
struct EdgeCrashTestMain {
    static func main() async {
        EdgeProcess.bootstrap()
        await EdgeCrashTest.main()
    }
}
