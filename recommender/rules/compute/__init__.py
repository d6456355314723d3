"""Compute rules: EC2 candidates and filters, sizing, burst credits, fleets, purchase
options, risk, batch jobs, Fargate and Lambda, and the compute selection over them (PERF02).
"""
