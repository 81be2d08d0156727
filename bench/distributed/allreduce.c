/* MPI_Allreduce bandwidth in C, the reference for Keel's binding (allreduce.ts).
 *   mpicc -O2 allreduce.c -o allreduce && mpirun -np 2 ./allreduce 100 5 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 100;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  size_t n = mb * 1000 * 1000 / 4;
  float* buf = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) buf[i] = 1.0f;
  MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  double* times = malloc((size_t)reps * sizeof(double));
  for (int r = 0; r < reps; r++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    times[r] = MPI_Wtime() - t0;
  }
  qsort(times, (size_t)reps, sizeof(double), cmp);
  double best = times[0], median = times[reps / 2];
  if (rank == 0)
    printf("{\"impl\":\"C MPI_Allreduce\",\"mb\":%zu,\"seconds\":%.6f,\"GBps\":%.3f,"
           "\"medianSeconds\":%.6f,\"medianGBps\":%.3f}\n",
           mb, best, mb / 1000.0 / best, median, mb / 1000.0 / median);
  free(times);
  free(buf);
  MPI_Finalize();
  return 0;
}
