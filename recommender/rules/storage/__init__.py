"""Storage rules: EBS volumes and instance store (:mod:`.block`), EFS and S3 (:mod:`.objects`)
(PERF03).
"""
