from yamabiko.cli import main

main()
