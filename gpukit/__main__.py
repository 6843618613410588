from gpukit.cli import main

main()
