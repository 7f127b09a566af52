/**
 * Benchmarks of signage-fleet, each measured against a baseline in the same run (see BENCHMARKS.md).
 */
package dev.signagefleet.benchmarks;
