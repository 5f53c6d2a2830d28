from llmprep.cli import main

main()
