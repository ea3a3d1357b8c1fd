from lensgraph.cli import main

main()
