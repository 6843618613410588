from benchmarks import metrics_batching

metrics_batching.main()
