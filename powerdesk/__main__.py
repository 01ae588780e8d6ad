from powerdesk.cli import main

main()
