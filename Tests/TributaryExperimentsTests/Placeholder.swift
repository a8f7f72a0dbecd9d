// Keeps the test target buildable until its first tests land; delete then.
import Testing
