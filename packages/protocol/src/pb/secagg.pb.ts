/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface KeyAdvert {
  cluster: string
  round: number
  term: number
  sender: string
  cipherKey: Uint8Array
  maskKey: Uint8Array
  commitment: Uint8Array
  signature: Uint8Array
}

export namespace KeyAdvert {
  let _codec: Codec<KeyAdvert>

  export const codec = (): Codec<KeyAdvert> => {
    if (_codec == null) {
      _codec = message<KeyAdvert>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.sender != null && obj.sender !== '')) {
          w.uint32(34)
          w.string(obj.sender)
        }

        if ((obj.cipherKey != null && obj.cipherKey.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.cipherKey)
        }

        if ((obj.maskKey != null && obj.maskKey.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.maskKey)
        }

        if ((obj.commitment != null && obj.commitment.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.commitment)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          sender: '',
          cipherKey: uint8ArrayAlloc(0),
          maskKey: uint8ArrayAlloc(0),
          commitment: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.sender = reader.string()
              break
            }
            case 5: {
              obj.cipherKey = reader.bytes()
              break
            }
            case 6: {
              obj.maskKey = reader.bytes()
              break
            }
            case 7: {
              obj.commitment = reader.bytes()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<KeyAdvert>): Uint8Array => {
    return encodeMessage(obj, KeyAdvert.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyAdvert>): KeyAdvert => {
    return decodeMessage(buf, KeyAdvert.codec(), opts)
  }
}

export interface Roster {
  cluster: string
  round: number
  term: number
  length: number
  threshold: number
  fracBits: number
  clip: number
  maxWeight: number
  adverts: KeyAdvert[]
}

export namespace Roster {
  let _codec: Codec<Roster>

  export const codec = (): Codec<Roster> => {
    if (_codec == null) {
      _codec = message<Roster>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(32)
          w.uint32(obj.length)
        }

        if ((obj.threshold != null && obj.threshold !== 0)) {
          w.uint32(40)
          w.uint32(obj.threshold)
        }

        if ((obj.fracBits != null && obj.fracBits !== 0)) {
          w.uint32(48)
          w.uint32(obj.fracBits)
        }

        if ((obj.clip != null && obj.clip !== 0)) {
          w.uint32(57)
          w.double(obj.clip)
        }

        if ((obj.maxWeight != null && obj.maxWeight !== 0)) {
          w.uint32(65)
          w.double(obj.maxWeight)
        }

        if (obj.adverts != null) {
          for (const value of obj.adverts) {
            w.uint32(74)
            KeyAdvert.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          length: 0,
          threshold: 0,
          fracBits: 0,
          clip: 0,
          maxWeight: 0,
          adverts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.length = reader.uint32()
              break
            }
            case 5: {
              obj.threshold = reader.uint32()
              break
            }
            case 6: {
              obj.fracBits = reader.uint32()
              break
            }
            case 7: {
              obj.clip = reader.double()
              break
            }
            case 8: {
              obj.maxWeight = reader.double()
              break
            }
            case 9: {
              if (opts.limits?.adverts != null && obj.adverts.length === opts.limits.adverts) {
                throw new MaxLengthError('Decode error - map field "adverts" had too many elements')
              }

              obj.adverts.push(KeyAdvert.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.adverts$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Roster>): Uint8Array => {
    return encodeMessage(obj, Roster.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Roster>): Roster => {
    return decodeMessage(buf, Roster.codec(), opts)
  }
}

export interface EncryptedShare {
  peer: string
  ciphertext: Uint8Array
}

export namespace EncryptedShare {
  let _codec: Codec<EncryptedShare>

  export const codec = (): Codec<EncryptedShare> => {
    if (_codec == null) {
      _codec = message<EncryptedShare>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.ciphertext = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<EncryptedShare>): Uint8Array => {
    return encodeMessage(obj, EncryptedShare.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EncryptedShare>): EncryptedShare => {
    return decodeMessage(buf, EncryptedShare.codec(), opts)
  }
}

export interface ShareKeys {
  cluster: string
  round: number
  term: number
  sender: string
  shares: EncryptedShare[]
}

export namespace ShareKeys {
  let _codec: Codec<ShareKeys>

  export const codec = (): Codec<ShareKeys> => {
    if (_codec == null) {
      _codec = message<ShareKeys>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.sender != null && obj.sender !== '')) {
          w.uint32(34)
          w.string(obj.sender)
        }

        if (obj.shares != null) {
          for (const value of obj.shares) {
            w.uint32(42)
            EncryptedShare.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          sender: '',
          shares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.sender = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - map field "shares" had too many elements')
              }

              obj.shares.push(EncryptedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ShareKeys>): Uint8Array => {
    return encodeMessage(obj, ShareKeys.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareKeys>): ShareKeys => {
    return decodeMessage(buf, ShareKeys.codec(), opts)
  }
}

export interface ShareDelivery {
  cluster: string
  round: number
  term: number
  recipient: string
  shares: EncryptedShare[]
}

export namespace ShareDelivery {
  let _codec: Codec<ShareDelivery>

  export const codec = (): Codec<ShareDelivery> => {
    if (_codec == null) {
      _codec = message<ShareDelivery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(34)
          w.string(obj.recipient)
        }

        if (obj.shares != null) {
          for (const value of obj.shares) {
            w.uint32(42)
            EncryptedShare.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          recipient: '',
          shares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.recipient = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - map field "shares" had too many elements')
              }

              obj.shares.push(EncryptedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ShareDelivery>): Uint8Array => {
    return encodeMessage(obj, ShareDelivery.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareDelivery>): ShareDelivery => {
    return decodeMessage(buf, ShareDelivery.codec(), opts)
  }
}

export interface MaskedInput {
  cluster: string
  round: number
  term: number
  sender: string
  masked: Uint8Array
}

export namespace MaskedInput {
  let _codec: Codec<MaskedInput>

  export const codec = (): Codec<MaskedInput> => {
    if (_codec == null) {
      _codec = message<MaskedInput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.sender != null && obj.sender !== '')) {
          w.uint32(34)
          w.string(obj.sender)
        }

        if ((obj.masked != null && obj.masked.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.masked)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          sender: '',
          masked: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.sender = reader.string()
              break
            }
            case 5: {
              obj.masked = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<MaskedInput>): Uint8Array => {
    return encodeMessage(obj, MaskedInput.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MaskedInput>): MaskedInput => {
    return decodeMessage(buf, MaskedInput.codec(), opts)
  }
}

export interface UnmaskRequest {
  cluster: string
  round: number
  term: number
  survivors: string[]
}

export namespace UnmaskRequest {
  let _codec: Codec<UnmaskRequest>

  export const codec = (): Codec<UnmaskRequest> => {
    if (_codec == null) {
      _codec = message<UnmaskRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if (obj.survivors != null) {
          for (const value of obj.survivors) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          survivors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.survivors != null && obj.survivors.length === opts.limits.survivors) {
                throw new MaxLengthError('Decode error - map field "survivors" had too many elements')
              }

              obj.survivors.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<UnmaskRequest>): Uint8Array => {
    return encodeMessage(obj, UnmaskRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskRequest>): UnmaskRequest => {
    return decodeMessage(buf, UnmaskRequest.codec(), opts)
  }
}

export interface RevealedShare {
  peer: string
  share: Uint8Array
}

export namespace RevealedShare {
  let _codec: Codec<RevealedShare>

  export const codec = (): Codec<RevealedShare> => {
    if (_codec == null) {
      _codec = message<RevealedShare>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.share != null && obj.share.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.share)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          share: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.share = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<RevealedShare>): Uint8Array => {
    return encodeMessage(obj, RevealedShare.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevealedShare>): RevealedShare => {
    return decodeMessage(buf, RevealedShare.codec(), opts)
  }
}

export interface UnmaskResponse {
  cluster: string
  round: number
  term: number
  sender: string
  selfMaskShares: RevealedShare[]
  maskKeyShares: RevealedShare[]
}

export namespace UnmaskResponse {
  let _codec: Codec<UnmaskResponse>

  export const codec = (): Codec<UnmaskResponse> => {
    if (_codec == null) {
      _codec = message<UnmaskResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.sender != null && obj.sender !== '')) {
          w.uint32(34)
          w.string(obj.sender)
        }

        if (obj.selfMaskShares != null) {
          for (const value of obj.selfMaskShares) {
            w.uint32(42)
            RevealedShare.codec().encode(value, w)
          }
        }

        if (obj.maskKeyShares != null) {
          for (const value of obj.maskKeyShares) {
            w.uint32(50)
            RevealedShare.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          sender: '',
          selfMaskShares: [],
          maskKeyShares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.sender = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.selfMaskShares != null && obj.selfMaskShares.length === opts.limits.selfMaskShares) {
                throw new MaxLengthError('Decode error - map field "selfMaskShares" had too many elements')
              }

              obj.selfMaskShares.push(RevealedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.selfMaskShares$
              }))
              break
            }
            case 6: {
              if (opts.limits?.maskKeyShares != null && obj.maskKeyShares.length === opts.limits.maskKeyShares) {
                throw new MaxLengthError('Decode error - map field "maskKeyShares" had too many elements')
              }

              obj.maskKeyShares.push(RevealedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.maskKeyShares$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<UnmaskResponse>): Uint8Array => {
    return encodeMessage(obj, UnmaskResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskResponse>): UnmaskResponse => {
    return decodeMessage(buf, UnmaskResponse.codec(), opts)
  }
}

export interface SecAggFrame {
  version: number
  keyAdvert?: KeyAdvert
  roster?: Roster
  shareKeys?: ShareKeys
  shareDelivery?: ShareDelivery
  maskedInput?: MaskedInput
  unmaskRequest?: UnmaskRequest
  unmaskResponse?: UnmaskResponse
}

export namespace SecAggFrame {
  let _codec: Codec<SecAggFrame>

  export const codec = (): Codec<SecAggFrame> => {
    if (_codec == null) {
      _codec = message<SecAggFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.unmaskResponse != null) {
          obj.unmaskRequest = undefined
          obj.maskedInput = undefined
          obj.shareDelivery = undefined
          obj.shareKeys = undefined
          obj.roster = undefined
          obj.keyAdvert = undefined
        }

        if (obj.unmaskRequest != null) {
          obj.unmaskResponse = undefined
          obj.maskedInput = undefined
          obj.shareDelivery = undefined
          obj.shareKeys = undefined
          obj.roster = undefined
          obj.keyAdvert = undefined
        }

        if (obj.maskedInput != null) {
          obj.unmaskResponse = undefined
          obj.unmaskRequest = undefined
          obj.shareDelivery = undefined
          obj.shareKeys = undefined
          obj.roster = undefined
          obj.keyAdvert = undefined
        }

        if (obj.shareDelivery != null) {
          obj.unmaskResponse = undefined
          obj.unmaskRequest = undefined
          obj.maskedInput = undefined
          obj.shareKeys = undefined
          obj.roster = undefined
          obj.keyAdvert = undefined
        }

        if (obj.shareKeys != null) {
          obj.unmaskResponse = undefined
          obj.unmaskRequest = undefined
          obj.maskedInput = undefined
          obj.shareDelivery = undefined
          obj.roster = undefined
          obj.keyAdvert = undefined
        }

        if (obj.roster != null) {
          obj.unmaskResponse = undefined
          obj.unmaskRequest = undefined
          obj.maskedInput = undefined
          obj.shareDelivery = undefined
          obj.shareKeys = undefined
          obj.keyAdvert = undefined
        }

        if (obj.keyAdvert != null) {
          obj.unmaskResponse = undefined
          obj.unmaskRequest = undefined
          obj.maskedInput = undefined
          obj.shareDelivery = undefined
          obj.shareKeys = undefined
          obj.roster = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.keyAdvert != null) {
          w.uint32(18)
          KeyAdvert.codec().encode(obj.keyAdvert, w)
        }

        if (obj.roster != null) {
          w.uint32(26)
          Roster.codec().encode(obj.roster, w)
        }

        if (obj.shareKeys != null) {
          w.uint32(34)
          ShareKeys.codec().encode(obj.shareKeys, w)
        }

        if (obj.shareDelivery != null) {
          w.uint32(42)
          ShareDelivery.codec().encode(obj.shareDelivery, w)
        }

        if (obj.maskedInput != null) {
          w.uint32(50)
          MaskedInput.codec().encode(obj.maskedInput, w)
        }

        if (obj.unmaskRequest != null) {
          w.uint32(58)
          UnmaskRequest.codec().encode(obj.unmaskRequest, w)
        }

        if (obj.unmaskResponse != null) {
          w.uint32(66)
          UnmaskResponse.codec().encode(obj.unmaskResponse, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.keyAdvert = KeyAdvert.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keyAdvert
              })
              break
            }
            case 3: {
              obj.roster = Roster.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.roster
              })
              break
            }
            case 4: {
              obj.shareKeys = ShareKeys.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shareKeys
              })
              break
            }
            case 5: {
              obj.shareDelivery = ShareDelivery.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shareDelivery
              })
              break
            }
            case 6: {
              obj.maskedInput = MaskedInput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.maskedInput
              })
              break
            }
            case 7: {
              obj.unmaskRequest = UnmaskRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.unmaskRequest
              })
              break
            }
            case 8: {
              obj.unmaskResponse = UnmaskResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.unmaskResponse
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.unmaskResponse != null) {
          delete obj.unmaskRequest
          delete obj.maskedInput
          delete obj.shareDelivery
          delete obj.shareKeys
          delete obj.roster
          delete obj.keyAdvert
        }

        if (obj.unmaskRequest != null) {
          delete obj.unmaskResponse
          delete obj.maskedInput
          delete obj.shareDelivery
          delete obj.shareKeys
          delete obj.roster
          delete obj.keyAdvert
        }

        if (obj.maskedInput != null) {
          delete obj.unmaskResponse
          delete obj.unmaskRequest
          delete obj.shareDelivery
          delete obj.shareKeys
          delete obj.roster
          delete obj.keyAdvert
        }

        if (obj.shareDelivery != null) {
          delete obj.unmaskResponse
          delete obj.unmaskRequest
          delete obj.maskedInput
          delete obj.shareKeys
          delete obj.roster
          delete obj.keyAdvert
        }

        if (obj.shareKeys != null) {
          delete obj.unmaskResponse
          delete obj.unmaskRequest
          delete obj.maskedInput
          delete obj.shareDelivery
          delete obj.roster
          delete obj.keyAdvert
        }

        if (obj.roster != null) {
          delete obj.unmaskResponse
          delete obj.unmaskRequest
          delete obj.maskedInput
          delete obj.shareDelivery
          delete obj.shareKeys
          delete obj.keyAdvert
        }

        if (obj.keyAdvert != null) {
          delete obj.unmaskResponse
          delete obj.unmaskRequest
          delete obj.maskedInput
          delete obj.shareDelivery
          delete obj.shareKeys
          delete obj.roster
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SecAggFrame>): Uint8Array => {
    return encodeMessage(obj, SecAggFrame.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SecAggFrame>): SecAggFrame => {
    return decodeMessage(buf, SecAggFrame.codec(), opts)
  }
}
