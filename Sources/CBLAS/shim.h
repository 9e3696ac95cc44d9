// Debian's libopenblas-dev installs cblas.h under the multiarch include path.
#include <cblas.h>
// OpenBLAS threading controls (not part of the CBLAS standard).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
