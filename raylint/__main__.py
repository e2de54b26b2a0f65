from raylint.entry import main

main()
