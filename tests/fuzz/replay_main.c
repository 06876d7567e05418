/* Without libFuzzer (gcc builds, the ASan build): run the fuzz target once on each file given, so
   that the seed corpora and every input that once crashed stay tests of the default suite. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    FILE    *fp = fopen(argv[i], "rb");
    long     n;
    uint8_t *buf;
    if (!fp) return fprintf(stderr, "cannot open %s\n", argv[i]), 2;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) return fprintf(stderr, "cannot read %s\n", argv[i]), 2;
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
  }
  printf("replayed %d inputs\n", argc - 1);
  return 0;
}
