from raylint.cli import main

main()
