from disposal.cli import main

main()
